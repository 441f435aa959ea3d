(module
  (import "env" "mem" (memory 1))
  ;; out[r] = dot(row r of data [rows, D] f32 at $data, probe [D] f32 at $probe), f32 accumulation in 16 lanes.
  ;; D must be a positive multiple of 16. All pointers are byte offsets.
  (func (export "dots") (param $data i32) (param $rows i32) (param $D i32) (param $probe i32) (param $out i32)
    (local $r i32) (local $x i32) (local $p i32) (local $end i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $x (local.get $data))
        (local.set $p (local.get $probe))
        (local.set $end (i32.add (local.get $data) (i32.shl (local.get $D) (i32.const 2))))
        (loop $inner
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (local.get $x)) (v128.load (local.get $p)))))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load offset=16 (local.get $x)) (v128.load offset=16 (local.get $p)))))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load offset=32 (local.get $x)) (v128.load offset=32 (local.get $p)))))
          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load offset=48 (local.get $x)) (v128.load offset=48 (local.get $p)))))
          (local.set $x (i32.add (local.get $x) (i32.const 64)))
          (local.set $p (i32.add (local.get $p) (i32.const 64)))
          (br_if $inner (i32.lt_u (local.get $x) (local.get $end))))
        (local.set $a0 (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3))))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
            (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
        (local.set $data (local.get $end))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row)))))

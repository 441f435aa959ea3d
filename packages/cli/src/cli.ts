#!/usr/bin/env node

// ONNX Runtime 1.30's Linux build starts Microsoft's telemetry SDK (1DS) with its first session. That SDK matches
// /proc/self/cmdline against the regular expression "(.*)[ ]*.*[\n]*" with libstdc++'s std::regex, whose matcher
// recurses once per character: a command line over about 29 KB (a few hundred image paths) overflows the 8 MB main
// stack and the process dies with SIGSEGV, printing nothing. ORT_DISABLE_TELEMETRY=1, read when ONNX Runtime
// initialises, keeps the SDK from starting (and from writing /tmp/mat-debug-<pid>.log and a device id under
// ~/.cache). It is set here, before the program and its dependencies are even imported (the specifier is built at run
// time so that the bundler keeps cli-main.js a separate file); worker threads share the process environment.
process.env.ORT_DISABLE_TELEMETRY = '1';
await import(new URL('./cli-main.js', import.meta.url).href);

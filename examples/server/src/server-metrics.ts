/**
 * Prometheus metrics (prom-client): requests by route and status, a latency histogram, the inference queue, model load
 * time, gallery size, and Node's own process metrics (RSS, event-loop lag, GC).
 * @module
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The service's metrics, in their own registry. */
export function createMetrics(sources: { queued: () => number; running: () => number; faces: () => number }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'eolgul_' });
  const requests = new Counter({
    name: 'eolgul_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'eolgul_http_request_duration_seconds',
    help: 'Time from request to response, seconds',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const modelLoad = new Gauge({
    name: 'eolgul_model_load_seconds',
    help: 'Time to load the models into every worker at start, seconds',
    registers: [registry],
  });
  new Gauge({
    name: 'eolgul_inference_queue_depth',
    help: 'Images waiting for a worker',
    registers: [registry],
    collect() {
      this.set(sources.queued());
    },
  });
  new Gauge({
    name: 'eolgul_inference_running',
    help: 'Images being analysed by the worker pool',
    registers: [registry],
    collect() {
      this.set(sources.running());
    },
  });
  new Gauge({
    name: 'eolgul_gallery_faces',
    help: 'Enrolled faces (embeddings) in this replica’s copy of the gallery',
    registers: [registry],
    collect() {
      this.set(sources.faces());
    },
  });
  return { registry, requests, latency, modelLoad };
}

/** What {@link createMetrics} returns. */
export type Metrics = ReturnType<typeof createMetrics>;

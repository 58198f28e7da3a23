export { assessHealth, DROP_WINDOW_MS, HealthMonitor, STUCK_AFTER_MS, type Health, type HealthState, type ProbePhase, type ProbeSample } from './health.js';
export { Metrics, type EnrichmentCounters, type MetricsSources, type ProbeCounters } from './metrics.js';
export { ListenError, startWebserver, type Webserver, type WebserverOptions, type WebserverRoutes } from './server.js';

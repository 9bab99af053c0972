import type { FederationView } from '../../federation/federation-view.ts';

/** What the console and its APIs need beyond the app context; main.ts passes it, tests may. */
export interface ConsoleOptions {
  /** The node's role and, on the top-level node, the federation it directs. Absent: standalone. */
  readonly federation?: FederationView;
  /** Where the operator's Grafana shows the idnode dashboard (IDNODE_GRAFANA_URL); no link when absent. */
  readonly grafanaUrl?: string;
}

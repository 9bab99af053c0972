import { audit } from './audit.js';
import { federation } from './federation.js';
import { importer } from './import.js';
import { labels } from './labels.js';
import { live } from './live.js';
import { records } from './records.js';
import { reviews } from './reviews.js';

/**
 * The panels, in navigation order. `shown(session, node)` decides from the signed-in admin's
 * rights (GET /api/session) and the node's role; the API refuses anyway what a panel may not do.
 */
export const PANELS = [live, federation, reviews, records, importer, labels, audit];

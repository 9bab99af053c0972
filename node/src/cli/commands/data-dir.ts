import { resolve } from 'node:path';

/** The node's data directory as the node itself finds it: flag, IDNODE_DATA_DIR, ./data. */
export const dataDirOf = (flag: string | undefined): string => resolve(flag ?? process.env.IDNODE_DATA_DIR ?? './data');

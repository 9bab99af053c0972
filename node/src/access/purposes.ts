/**
 * Why a legitimate-interest reader reads a passport. Battery Regulation (EU) 2023/1542 Art. 77(2)
 * limits legitimate interest to these activities; a credential must name one, and the audit log
 * records it ("who saw what, and why").
 */
export const PURPOSES = {
  repair: 'repair or maintenance of the battery',
  remanufacturing: 'remanufacturing (restoring the battery to original performance)',
  repurposing: 'repurposing for a second life (e.g. stationary storage)',
  dismantling: 'dismantling, including the safety measures it needs',
  recycling: 'recycling, including the exact composition and material recovery',
  'safety-assessment': 'assessing safety (e.g. after an accident or for transport)',
  'energy-market': 'making the battery available to independent aggregators or energy-market participants',
} as const;

export type Purpose = keyof typeof PURPOSES;

export const isPurpose = (p: unknown): p is Purpose => typeof p === 'string' && Object.hasOwn(PURPOSES, p);

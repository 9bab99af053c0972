/**
 * The GS1 application identifiers a compressed Digital Link can carry, with the components the
 * compression bit stream encodes them as. Sources (facts, written out here in our own form):
 * the GS1 Barcode Syntax Dictionary for each AI's data format, and the component split GS1's
 * compression algorithm uses (the table of GS1's compression prototype, which later GS1 ports
 * share). Rules applied where the two differ, see docs/adr/0003-gs1-dl-compression.md:
 * - adjacent mandatory fixed-length numeric parts are one component (8003 N1+N13 = N14, 7003 N10);
 * - an optional or variable numeric tail is a second, variable component (7007 N6 + N..6, 255 N13 + N..12);
 * - adjacent alphanumeric parts are one component (7230 X2 + X..28 = X..30, 7040 N1 + X3);
 * - lengths follow the dictionary (8007 IBAN X..34, 8013 X..25, 242 N..6);
 * - 423 and 425 keep GS1's compression split N3 + N..12, which every GS1 encoder uses.
 */

/** One encoded component: numeric fixed (N, length), numeric variable (N, max), alphanumeric (X). */
export interface Component {
  readonly kind: 'N' | 'X';
  /** Exact length when fixed, maximum when variable. */
  readonly length: number;
  readonly fixed: boolean;
  /** An optional final part ("[...]" in the dictionary): may be empty. */
  readonly optional: boolean;
}

/** The character set a value's alphanumeric part must use (GS1 General Specifications 7.11). */
export type Charset = 'cset82' | 'cset39' | 'cset64';

export interface AiFormat {
  readonly ai: string;
  readonly components: readonly Component[];
  readonly charset: Charset;
  /** 1-based position of a GS1 mod-10 check digit over the digits before it, if the AI has one. */
  readonly checkDigitAt?: number;
}

// "AIs format" lines; a range a-b lists every AI between; formats are space-separated components,
// "[...]" an optional final part.
const SPEC = `
00 N18
01-03 N14
10 X..20
11-13 N6
15-17 N6
20 N2
21-22 X..20
235 X..28
240-241 X..30
242 N..6
243 X..20
250-251 X..30
253 N13 [X..17]
254 X..20
255 N13 [N..12]
30 N..8
3100-3105 3110-3115 3120-3125 3130-3135 3140-3145 3150-3155 3160-3165 N6
3200-3205 3210-3215 3220-3225 3230-3235 3240-3245 3250-3255 3260-3265 3270-3275 3280-3285 3290-3295 N6
3300-3305 3310-3315 3320-3325 3330-3335 3340-3345 3350-3355 3360-3365 3370-3375 N6
3400-3405 3410-3415 3420-3425 3430-3435 3440-3445 3450-3455 3460-3465 3470-3475 3480-3485 3490-3495 N6
3500-3505 3510-3515 3520-3525 3530-3535 3540-3545 3550-3555 3560-3565 3570-3575 N6
3600-3605 3610-3615 3620-3625 3630-3635 3640-3645 3650-3655 3660-3665 3670-3675 3680-3685 3690-3695 N6
37 N..8
3900-3909 N..15
3910-3919 N3 N..15
3920-3929 N..15
3930-3939 N3 N..15
3940-3943 N4
3950-3955 N6
400-401 X..30
402 N17
403 X..30
410-417 N13
420 X..20
421 N3 X..9
422 N3
423 N3 [N..12]
424 N3
425 N3 [N..12]
426 N3
427 X..3
4300-4301 X..35
4302-4306 X..70
4307 X2
4308 X..30
4309 N20
4310-4311 X..35
4312-4316 X..70
4317 X2
4318 X..20
4319 X..30
4320 X..35
4321-4323 N1
4324-4325 N10
4326 N6
4330-4333 N6 [X..1]
7001 N13
7002 X..30
7003 N10
7004 N..4
7005 X..12
7006 N6
7007 N6 [N..6]
7008 X..3
7009 X..10
7010 X..2
7011 N6 [N..4]
7020-7022 X..20
7023 X..30
7030-7039 N3 X..27
7040 N1 X3
710-716 X..20
7230-7239 X..30
7240 X..20
7241 N2
7242 X..25
8001 N14
8002 X..20
8003 N14 [X..16]
8004 X..30
8005 N6
8006 N18
8007 X..34
8008 N8 [N..4]
8009 X..50
8010 X..30
8011 N..12
8012 X..20
8013 X..25
8017-8018 N18
8019 N..10
8020 X..25
8026 N18
8030 X..90
8110 X..70
8111 N4
8112 X..70
8200 X..70
90 X..30
91-99 X..90
`;

/** Check digit positions (GS1 mod-10): the last digit, except where the key carries a serial after it. */
const CHECK_DIGIT_AT: Readonly<Record<string, number>> = {
  '00': 18,
  '01': 14,
  '02': 14,
  '03': 14,
  '253': 13,
  '255': 13,
  '402': 17,
  '410': 13,
  '411': 13,
  '412': 13,
  '413': 13,
  '414': 13,
  '415': 13,
  '416': 13,
  '417': 13,
  '8003': 14,
  '8006': 14,
  '8017': 18,
  '8018': 18,
  '8026': 14,
};

/** AIs whose alphanumeric part is not CSET 82: CPID (8010) is CSET 39, the digital signature (8030) CSET 64. */
const CHARSET: Readonly<Record<string, Charset>> = { '8010': 'cset39', '8030': 'cset64' };

function parseComponent(text: string): Component {
  const m = /^(\[)?([NX])(\.\.)?(\d+)\]?$/.exec(text);
  if (!m) throw new Error(`ai-table: bad component ${text}`);
  // An optional part is encoded as a variable one, so that its absence has a length (0).
  const optional = m[1] !== undefined;
  return { kind: m[2] as 'N' | 'X', length: Number(m[4]), fixed: m[3] === undefined && !optional, optional };
}

function expand(range: string): string[] {
  const [from, to = from] = range.split('-') as [string, string?];
  const out: string[] = [];
  for (let n = Number(from); n <= Number(to); n++) out.push(String(n).padStart(from.length, '0'));
  return out;
}

function buildTable(): ReadonlyMap<string, AiFormat> {
  const table = new Map<string, AiFormat>();
  for (const line of SPEC.trim().split('\n')) {
    const words = line.split(/\s+/);
    const firstFormat = words.findIndex((w) => /^\[?[NX]/.test(w));
    const components = words.slice(firstFormat).map(parseComponent);
    for (const ai of words.slice(0, firstFormat).flatMap(expand)) {
      const checkDigitAt = CHECK_DIGIT_AT[ai];
      table.set(ai, {
        ai,
        components,
        charset: CHARSET[ai] ?? 'cset82',
        ...(checkDigitAt === undefined ? {} : { checkDigitAt }),
      });
    }
  }
  return table;
}

export const AI_TABLE: ReadonlyMap<string, AiFormat> = buildTable();

/** AI length by its first two digits (GS1's "tableP"), derived from the table so the two cannot disagree. */
export const AI_LENGTH_BY_PREFIX: ReadonlyMap<string, number> = new Map(
  [...AI_TABLE.keys()].map((ai) => [ai.slice(0, 2), ai.length]),
);

/**
 * GS1 Digital Link primary keys and their key qualifiers, in path order (Syntax Dictionary
 * "dlpkey"); where a key has alternative sequences (01: 22,10,21 or 235) each is listed.
 */
export const PRIMARY_KEYS: ReadonlyMap<string, readonly (readonly string[])[]> = new Map([
  ['00', []],
  ['01', [['22', '10', '21'], ['235']]],
  ['253', []],
  ['255', []],
  ['401', []],
  ['402', []],
  ['414', [['254'], ['7040']]],
  ['415', [['8020']]],
  ['417', [['7040']]],
  ['8003', []],
  ['8004', [['7040']]],
  ['8006', [['22', '10', '21']]],
  ['8010', [['8011']]],
  ['8013', []],
  ['8017', [['8019']]],
  ['8018', [['8019']]],
]);

/** The maximum total number of characters of an AI's value. */
export const maxValueLength = (f: AiFormat): number => f.components.reduce((n, c) => n + c.length, 0);

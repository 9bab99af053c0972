import { Type, type Static } from 'typebox';
import { ACCESS_TIERS } from './types.ts';

/** Wire schemas (Handle.Net v9 REST JSON). They validate requests and generate the OpenAPI document. */

export const MAX_VALUES_PER_RECORD = 100;
export const MAX_INDEX = 2_147_483_647;

export const ValueData = Type.Object(
  { format: Type.String({ minLength: 1, maxLength: 32 }), value: Type.Unknown() },
  {
    description:
      'Handle value data: `{format, value}`; `format` is "string", "admin" (HS_ADMIN), "vlist" (HS_VLIST), "base64", "hex" or "json".',
  },
);

export const AccessSchema = Type.Union(
  ACCESS_TIERS.map((t) => Type.Literal(t)),
  { description: 'Who may read the value; anonymous readers see "public" values only.' },
);

export const ValueInput = Type.Object({
  index: Type.Integer({ minimum: 1, maximum: MAX_INDEX }),
  type: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_./:-]+$' }),
  data: Type.Union([ValueData, Type.String({ description: 'Shorthand for {format:"string", value}.' })]),
  ttl: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_INDEX, description: 'Seconds; default 86400.' })),
  timestamp: Type.Optional(Type.String({ description: 'Ignored on input: the node sets it.' })),
  access: Type.Optional(AccessSchema),
});
export type ValueInput = Static<typeof ValueInput>;

export const RecordBody = Type.Object({
  handle: Type.Optional(Type.String({ description: 'Ignored if present; the path names the identifier.' })),
  values: Type.Array(ValueInput, { minItems: 0, maxItems: MAX_VALUES_PER_RECORD }),
});
export type RecordBody = Static<typeof RecordBody>;

export const ValueOutput = Type.Object({
  index: Type.Integer(),
  type: Type.String(),
  data: ValueData,
  ttl: Type.Integer(),
  timestamp: Type.String(),
  access: AccessSchema,
});

export const RecordResponse = Type.Object({
  responseCode: Type.Integer({ description: 'Handle response code: 1 success, 200 no matching values.' }),
  handle: Type.String(),
  values: Type.Array(ValueOutput),
});

export const ErrorResponse = Type.Object({
  responseCode: Type.Integer({ description: 'Handle response code (e.g. 100 not found, 102 invalid handle).' }),
  handle: Type.Optional(Type.String()),
  code: Type.String({ description: 'Machine-readable IDN_ERR_* code.' }),
  message: Type.String(),
  detail: Type.Optional(Type.Unknown()),
});

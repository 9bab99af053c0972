// The memo moved to records/ with the answer model it belongs to; kept here for existing importers.
export { RenderMemo } from '../records/render-memo.ts';

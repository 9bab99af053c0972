/** The .proto files of idnode.v1, relative to proto/ (shared by the loader and the generator). */
export const PROTO_FILES: readonly string[] = ['common', 'resolution', 'registry', 'sync'].map(
  (n) => `idnode/v1/${n}.proto`,
);

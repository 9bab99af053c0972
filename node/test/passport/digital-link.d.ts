/** The slice of GS1's digital-link.js (no published types) the tests use. */
declare module 'digital-link.js' {
  interface DigitalLinkObject {
    isValid(): boolean;
    toWebUriString(): string;
  }
  const dl: { DigitalLink(input: string): DigitalLinkObject };
  export default dl;
}

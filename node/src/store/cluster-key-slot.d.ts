// The Redis Cluster hash slot of a key (CRC16 mod 16384, hash tags honoured); the package ships no types.
declare module 'cluster-key-slot' {
  export default function calculateSlot(key: string): number;
}

// jsonexport (react-admin's own CSV writer) ships no types.
declare module 'jsonexport/dist' {
  export default function jsonExport(rows: object[], callback: (err: Error | null, csv: string) => void): void;
}

// Types of scripts/size.mjs, for test/size.test.ts.
export declare const BUDGETS: Record<string, number>;
export declare function measure(bytes: Uint8Array): { raw: number; gzip: number; brotli: number };
export declare function pathOf(file: string): string;

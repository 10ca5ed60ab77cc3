// Types of check-circles.mjs for the unit test that imports it (test/unit/import-circles.test.ts).
export declare const CORE_DIR: string;
export declare const ALLOW_FILE: string;
export declare function circleKey(files: readonly string[]): string;
export declare function circleText(files: readonly string[]): string;
export declare function findCircles(dir: string): Promise<{ circles: string[]; skipped: string[]; files: number }>;
export declare function readAllowList(file?: string): string[];
export declare function checkCircles(
  dir: string,
  allowed?: readonly string[],
): Promise<{ ok: boolean; fresh: string[]; stale: string[]; skipped: string[]; report: string }>;

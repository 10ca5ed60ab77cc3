/**
 * The second parsing pass: turns the indentation blocks of structure.ts into the typed syntax tree
 * of tree.ts and reports every mistake as a diagnostic with a range and a message that says what to
 * write instead. Each line is checked on its own, so one mistake gives one diagnostic; a line that
 * does not parse keeps its node (with the value left undefined) and its indented block is skipped.
 *
 * This file is wiring only: each top-level line goes, by its first word, to the block module that
 * blocks/registry.ts names for it; the shared machinery is in parse-core.ts.
 */
import type { Diagnostic } from './diagnostics';
import { Source } from './source';
import { buildStructure, type RawLine } from './structure';
import { ParseCore } from './parse-core';
import { BLOCKS, TEXT_ENDING_WORDS, VOCABULARY } from './blocks/registry';
import type { ScenarioTree, TopNode } from './tree';

export { checkTarget } from './blocks/target';
export { jsonPathProblem } from './blocks/mappings';

export function parseScenario(text: string, file?: string): { tree: ScenarioTree; diagnostics: Diagnostic[] } {
  const safe = typeof text === 'string' ? text : '';
  try {
    return new Parser(safe, file).run();
  } catch (e) {
    // The parser is written not to throw; this is the last line of defence.
    const src = new Source(safe);
    const diagnostics: Diagnostic[] = [
      { severity: 'error', range: src.origin, message: `internal parser error: ${e instanceof Error ? e.message : String(e)}` },
    ];
    const tree: ScenarioTree = { kind: 'file', file, text: safe, range: src.between(0, 0, src.lineCount - 1, src.line(src.lineCount - 1).length), statements: [], errorCount: 1 };
    return { tree, diagnostics };
  }
}

class Parser extends ParseCore {
  constructor(
    text: string,
    private readonly file?: string,
  ) {
    super(text, VOCABULARY);
  }
  run(): { tree: ScenarioTree; diagnostics: Diagnostic[] } {
    const raw = buildStructure(this.src, TEXT_ENDING_WORDS);
    const statements: TopNode[] = [];
    for (const rl of raw) {
      if (rl.misindented) {
        if (rl.indent > 0) this.error(this.lineR(rl), 'unexpected indentation: top-level directives start at the first column');
        else this.misindented(rl);
      }
      statements.push(this.top(rl));
    }
    const last = this.src.lineCount - 1;
    const tree: ScenarioTree = {
      kind: 'file',
      file: this.file,
      text: this.text,
      range: this.src.between(0, 0, last, this.src.line(last).length),
      statements,
      errorCount: this.errors,
    };
    return { tree, diagnostics: this.diags };
  }

  private top(rl: RawLine): TopNode {
    const kw = this.kw(rl);
    const textual = kw === 'system' || kw === 'user' || kw === 'assistant';
    if (!textual && !this.lexOk(rl)) {
      return { kind: 'unknown', ...this.base(rl) };
    }
    const block = Object.hasOwn(BLOCKS, kw) ? BLOCKS[kw] : undefined;
    return block ? block.directives[kw].parse(this, rl, kw) : this.unknown(rl, 'top');
  }
}

/**
 * `${secret:NAME}` from VS Code's SecretStorage. A missing secret is asked for once (a password
 * box) and stored; values are passed to the engine process in the `run` message only, never logged.
 */
import * as vscode from 'vscode';

const PREFIX = 'llmload.secret.';

export class SecretResolver {
  constructor(private readonly storage: vscode.SecretStorage) {}

  get(name: string): Thenable<string | undefined> {
    return this.storage.get(PREFIX + name);
  }

  store(name: string, value: string): Thenable<void> {
    return this.storage.store(PREFIX + name, value);
  }

  delete(name: string): Thenable<void> {
    return this.storage.delete(PREFIX + name);
  }

  /** Asks for a secret's value and stores it; undefined when the person cancels. */
  async prompt(name: string): Promise<string | undefined> {
    const value = await vscode.window.showInputBox({
      title: `llmload: secret ${name}`,
      prompt: `The value of \${secret:${name}}, kept in VS Code's secret storage`,
      password: true,
      ignoreFocusOut: true,
    });
    if (!value) return undefined;
    await this.store(name, value);
    return value;
  }

  /** Every named secret's value, asking for missing ones; undefined when one was not given. */
  async resolve(names: readonly string[]): Promise<Record<string, string> | undefined> {
    const out: Record<string, string> = {};
    for (const name of names) {
      const value = (await this.get(name)) ?? (await this.prompt(name));
      if (value === undefined) return undefined;
      out[name] = value;
    }
    return out;
  }
}

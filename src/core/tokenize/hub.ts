/**
 * Where Hugging Face tokenizers live and come from: the local hub cache folder and the hub's URL,
 * from the same environment variables huggingface_hub reads. No tokenizer library here, so the
 * editor's host can ask without loading one.
 */
import os from 'node:os';
import path from 'node:path';

/** The hub to download from: $LLMLOAD_HF_ENDPOINT, else $HF_ENDPOINT (huggingface_hub's name), else https://huggingface.co. */
export function hubEndpoint(env: Record<string, string | undefined> = process.env): string {
  return (env.LLMLOAD_HF_ENDPOINT || env.HF_ENDPOINT || 'https://huggingface.co').replace(/\/+$/, '');
}

/** The hub cache: $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub. */
export function defaultHubCache(env: Record<string, string | undefined> = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  const home = env.HF_HOME ?? path.join(os.homedir(), '.cache', 'huggingface');
  return path.join(home, 'hub');
}


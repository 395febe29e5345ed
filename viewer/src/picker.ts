/**
 * Choosing a replay by generation, then episode (seed), then condition, from the entries of
 * replays/index.json. Each step keeps the previous choice when it still exists, so flipping
 * the generation keeps the same episode and condition for a before/after comparison.
 */
import type { ReplayIndexEntry } from './data.ts';

const NO_GEN = '-';
const genKey = (e: ReplayIndexEntry) => (e.generation === undefined ? NO_GEN : String(e.generation));

/** A long name may not fit the select's width: the option and the select show it whole on hover. */
function showTitle(select: HTMLSelectElement): void {
  select.title = select.selectedOptions[0]?.text ?? '';
}

function fill(select: HTMLSelectElement, options: Array<[value: string, text: string]>, keep: string | null): void {
  select.replaceChildren(
    ...options.map(([value, text]) => {
      const o = document.createElement('option');
      o.value = value;
      o.textContent = text;
      o.title = text;
      return o;
    }),
  );
  if (keep !== null && options.some(([v]) => v === keep)) select.value = keep;
  showTitle(select);
}

export class Picker {
  private readonly gen: HTMLSelectElement;
  private readonly seed: HTMLSelectElement;
  private readonly cond: HTMLSelectElement;

  constructor(
    fieldset: HTMLElement,
    private readonly entries: ReplayIndexEntry[],
    onChange: () => void,
  ) {
    const q = (role: string) => fieldset.querySelector<HTMLSelectElement>(`select[data-role="${role}"]`)!;
    this.gen = q('gen');
    this.seed = q('seed');
    this.cond = q('cond');
    const gens = [...new Set(entries.map(genKey))].sort((a, b) => (a === NO_GEN ? -1 : b === NO_GEN ? 1 : Number(a) - Number(b)));
    fill(this.gen, gens.map((g) => [g, g === NO_GEN ? '(none)' : `gen ${g}`]), null);
    this.refill();
    this.gen.addEventListener('change', () => {
      this.refill();
      onChange();
    });
    this.seed.addEventListener('change', () => {
      this.refill(false);
      onChange();
    });
    this.cond.addEventListener('change', onChange);
    for (const sel of [this.gen, this.seed, this.cond]) sel.addEventListener('change', () => showTitle(sel));
  }

  private refill(seeds = true): void {
    const inGen = this.entries.filter((e) => genKey(e) === this.gen.value);
    if (seeds) {
      const list = [...new Set(inGen.map((e) => e.episodeSeed))].sort((a, b) => a - b);
      fill(this.seed, list.map((s) => [String(s), `seed ${s}`]), this.seed.value || null);
    }
    const prevCondition = this.entries.find((e) => e.file === this.cond.value)?.conditionText ?? null;
    const here = inGen.filter((e) => String(e.episodeSeed) === this.seed.value);
    fill(this.cond, here.map((e) => [e.file, e.label === e.conditionText ? e.conditionText : `${e.label} (${e.conditionText})`]), null);
    const same = here.find((e) => e.conditionText === prevCondition);
    if (same) this.cond.value = same.file;
    showTitle(this.cond);
  }

  /** Selects the entry of `file`; false if the index does not list it. */
  select(file: string): boolean {
    const e = this.entries.find((x) => x.file === file);
    if (!e) return false;
    this.gen.value = genKey(e);
    this.refill();
    this.seed.value = String(e.episodeSeed);
    this.refill(false);
    this.cond.value = e.file;
    for (const sel of [this.gen, this.seed, this.cond]) showTitle(sel);
    return true;
  }

  get file(): string | null {
    return this.cond.value || null;
  }

  entry(): ReplayIndexEntry | undefined {
    return this.entries.find((e) => e.file === this.cond.value);
  }

  setEnabled(on: boolean): void {
    for (const s of [this.gen, this.seed, this.cond]) s.disabled = !on;
  }
}

/**
 * The default pair: the latest generation's nominal episode as A and, if the same episode
 * was recorded under another condition, that one as B (the comparison the viewer is for).
 */
export function defaultPair(entries: ReplayIndexEntry[]): { a: string | null; b: string | null } {
  if (entries.length === 0) return { a: null, b: null };
  const latest = Math.max(...entries.map((e) => e.generation ?? -Infinity));
  const inGen = entries.filter((e) => (e.generation ?? -Infinity) === latest);
  const a = inGen.find((e) => e.conditionText === 'nominal') ?? inGen[0]!;
  const b = inGen.find((e) => e.episodeSeed === a.episodeSeed && e.file !== a.file);
  return { a: a.file, b: b?.file ?? null };
}

/**
 * Choosing a replay by run (in a folder of runs), generation, episode (seed) and condition,
 * from the entries of the run's replays/index.json. Each step keeps the previous choice when
 * it still exists, so flipping the generation keeps the same episode and condition for a
 * before/after comparison, and flipping the run keeps them for a comparison across runs
 * (plastic A against static B on the same damaged body). The generation "latest" follows
 * the newest generation as a training run records more.
 */
import type { ReplayIndexEntry, RunSummary } from './data.ts';
import type { ReplayRef, RunStore } from './store.ts';

const NO_GEN = '-';
export const LATEST = 'latest';
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

function latestGen(entries: ReplayIndexEntry[]): string | null {
  const gens = entries.filter((e) => e.generation !== undefined).map((e) => e.generation!);
  return gens.length ? String(Math.max(...gens)) : null;
}

export class Picker {
  run = '';
  private entries: ReplayIndexEntry[] = [];
  private readonly runSel: HTMLSelectElement;
  private readonly gen: HTMLSelectElement;
  private readonly seed: HTMLSelectElement;
  private readonly cond: HTMLSelectElement;
  private loadToken = 0;

  constructor(
    fieldset: HTMLElement,
    private readonly store: RunStore,
    private readonly onChange: () => void,
    /** A message about the run's replay index, or null when it loaded. */
    private readonly onIndexError: (msg: string | null) => void,
  ) {
    const q = (role: string) => fieldset.querySelector<HTMLSelectElement>(`select[data-role="${role}"]`)!;
    this.runSel = q('run');
    this.gen = q('gen');
    this.seed = q('seed');
    this.cond = q('cond');
    this.runSel.addEventListener('change', () => void this.setRun(this.runSel.value).then(onChange));
    this.gen.addEventListener('change', () => {
      this.refill();
      onChange();
    });
    this.seed.addEventListener('change', () => {
      this.refill(false);
      onChange();
    });
    this.cond.addEventListener('change', onChange);
    for (const sel of [this.runSel, this.gen, this.seed, this.cond]) sel.addEventListener('change', () => showTitle(sel));
  }

  /** The runs to choose from (those with replays), keeping the current one. */
  setRuns(runs: RunSummary[]): void {
    const withReplays = runs.filter((r) => r.replays || r.path === this.run);
    fill(this.runSel, withReplays.map((r) => [r.path, r.name]), this.run);
  }

  /** Switches to a run, keeping episode and condition where the run has them. */
  async setRun(run: string): Promise<void> {
    const token = ++this.loadToken;
    this.run = run;
    if (this.runSel.value !== run) this.runSel.value = run;
    let entries: ReplayIndexEntry[] = [];
    const summary = this.store.run(run);
    // A run still training records its first replays later: not an error yet.
    if (summary && !summary.replays && summary.status === 'training') {
      this.onIndexError(null);
      this.setEntries(entries);
      return;
    }
    try {
      entries = await this.store.index(run);
      if (token !== this.loadToken) return;
      this.onIndexError(entries.length === 0 ? `${run ? `${run}/` : ''}replays/index.json lists no replays yet` : null);
    } catch (e) {
      if (token !== this.loadToken) return;
      this.onIndexError((e as Error).message);
    }
    this.setEntries(entries);
  }

  /**
   * New entries for the current run (a training run recorded more). Keeps the choice, or
   * moves to the newest generation when "latest" is chosen; true if the chosen file changed.
   */
  setEntries(entries: ReplayIndexEntry[]): boolean {
    const before = this.cond.value;
    this.entries = entries;
    const gens = [...new Set(entries.map(genKey))].sort((a, b) => (a === NO_GEN ? -1 : b === NO_GEN ? 1 : Number(a) - Number(b)));
    const latest = latestGen(entries);
    const opts: Array<[string, string]> = gens.map((g) => [g, g === NO_GEN ? '(none)' : `gen ${g}`]);
    if (latest !== null) opts.push([LATEST, `latest (gen ${latest})`]);
    // A picker with nothing chosen yet follows the newest generation.
    const keep = this.gen.value || (latest !== null ? LATEST : null);
    fill(this.gen, opts, keep);
    this.refill();
    return this.cond.value !== before;
  }

  private genValue(): string {
    return this.gen.value === LATEST ? latestGen(this.entries) ?? NO_GEN : this.gen.value;
  }

  private refill(seeds = true): void {
    const g = this.genValue();
    const inGen = this.entries.filter((e) => genKey(e) === g);
    if (seeds) {
      const list = [...new Set(inGen.map((e) => e.episodeSeed))].sort((a, b) => a - b);
      fill(this.seed, list.map((s) => [String(s), `seed ${s}`]), this.seed.value || null);
    }
    const prevCondition = this.cond.selectedOptions[0]?.dataset.condition ?? null;
    const here = inGen.filter((e) => String(e.episodeSeed) === this.seed.value);
    fill(this.cond, here.map((e) => [e.file, e.label === e.conditionText ? e.conditionText : `${e.label} (${e.conditionText})`]), null);
    here.forEach((e, i) => (this.cond.options[i]!.dataset.condition = e.conditionText));
    const same = here.find((e) => e.conditionText === prevCondition);
    if (same) this.cond.value = same.file;
    showTitle(this.cond);
  }

  /** Selects the entry of `file` in the current run; false if its index does not list it. */
  select(file: string, latest = false): boolean {
    const e = this.entries.find((x) => x.file === file);
    if (!e) return false;
    this.gen.value = latest && genKey(e) === latestGen(this.entries) ? LATEST : genKey(e);
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

  ref(): ReplayRef | null {
    return this.cond.value ? { run: this.run, file: this.cond.value } : null;
  }

  entry(): ReplayIndexEntry | undefined {
    return this.entries.find((e) => e.file === this.cond.value);
  }

  get allEntries(): ReplayIndexEntry[] {
    return this.entries;
  }

  setEnabled(on: boolean): void {
    for (const s of [this.runSel, this.gen, this.seed, this.cond]) s.disabled = !on;
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

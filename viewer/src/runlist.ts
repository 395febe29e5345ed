/**
 * The list of runs in a served folder: what distinguishes them (policy, rule, modulation,
 * seed, strategy, budget, and any other config field that differs between them), how far
 * each got and whether it is still training, and a checkbox per run that puts its
 * learning curves (and its stress reports) on the charts.
 */
import type { RunSummary } from './data.ts';

/**
 * A staged run's other values of one field (config.stages), as `, 1000 from 1601`: the
 * episode length (`maxSteps`) or a strategy parameter (`strategy.popSize`).
 */
function fromStages(c: Record<string, unknown>, path: string): string {
  const stages = Array.isArray(c.stages) ? (c.stages as Record<string, unknown>[]) : [];
  return stages
    .map((s) => ({ from: s.from, value: get(s, path) }))
    .filter((s) => s.value !== '–')
    .map((s) => `, ${s.value} from ${String(s.from)}`)
    .join('');
}

/** Config fields with a column of their own, or that always differ, so "other differences" leaves them out. */
const SHOWN = new Set(['name', 'outDir', 'seed', 'generations', 'policy.type', 'policy.rule', 'policy.modulation', 'strategy.name', 'strategy.popSize', 'maxSteps', 'workers', 'membersPerTask', 'digest']);

function flatten(v: unknown, prefix: string, out: Map<string, string>): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, JSON.stringify(v));
}

/**
 * Per run, the config fields (outside the columns) that take more than one value among the
 * runs that have them. A field only some runs have (an SNN's leak, absent from an MLP's
 * config) is not a difference by itself: the policy column already tells those runs apart.
 */
export function differences(runs: RunSummary[]): Map<string, string[]> {
  const flat = runs.map((r) => {
    const m = new Map<string, string>();
    if (r.config) flatten(r.config, '', m);
    return m;
  });
  const keys = new Set(flat.flatMap((m) => [...m.keys()]));
  const varying = [...keys].filter((k) => !SHOWN.has(k) && new Set(flat.filter((m) => m.has(k)).map((m) => m.get(k))).size > 1).sort();
  const out = new Map<string, string[]>();
  runs.forEach((r, i) => out.set(r.path, varying.filter((k) => flat[i]!.has(k)).map((k) => `${k}=${flat[i]!.get(k)}`)));
  return out;
}

const get = (c: Record<string, unknown> | null, path: string): string => {
  let v: unknown = c;
  for (const k of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v === undefined || v === null ? '–' : String(v);
};

const ago = (ms: number) => {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 90 ? `${s} s ago` : s < 5400 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
};

export class RunList {
  readonly selected = new Set<string>();
  private runs: RunSummary[] = [];
  private readonly body: HTMLTableSectionElement;
  private readonly all: HTMLInputElement;
  private readonly summary: HTMLElement;

  constructor(
    private readonly root: HTMLDetailsElement,
    private readonly onChange: () => void,
  ) {
    this.body = root.querySelector('tbody')!;
    this.all = root.querySelector<HTMLInputElement>('#runs-all')!;
    this.summary = root.querySelector('summary')!;
    this.all.addEventListener('change', () => {
      for (const r of this.runs) if (this.all.checked) this.selected.add(r.path);
      else this.selected.delete(r.path);
      this.render();
      onChange();
    });
    this.body.addEventListener('change', (e) => {
      const box = e.target as HTMLInputElement;
      const path = box.dataset.run;
      if (path === undefined) return;
      if (box.checked) this.selected.add(path);
      else this.selected.delete(path);
      this.updateSummary();
      onChange();
    });
  }

  /**
   * New summaries; `pick` chooses the first selection. Later lists keep the selection, and
   * add the runs that appear when all runs were chosen or none was listed yet (a folder
   * opened before its first run started).
   */
  setRuns(runs: RunSummary[], pick?: (runs: RunSummary[]) => string[]): void {
    const allWere = this.runs.length > 0 && this.runs.every((r) => this.selected.has(r.path));
    const known = new Set(this.runs.map((r) => r.path));
    this.runs = runs;
    if (pick) for (const p of pick(runs)) this.selected.add(p);
    else if (allWere || known.size === 0) for (const r of runs) if (!known.has(r.path)) this.selected.add(r.path);
    for (const p of [...this.selected]) if (!runs.some((r) => r.path === p)) this.selected.delete(p);
    this.render();
  }

  chosen(): RunSummary[] {
    return this.runs.filter((r) => this.selected.has(r.path));
  }

  private updateSummary(): void {
    const training = this.runs.filter((r) => r.status === 'training').length;
    this.summary.textContent = `${this.runs.length} runs · ${this.selected.size} on the charts${training ? ` · ${training} training` : ''}`;
    this.all.checked = this.runs.length > 0 && this.selected.size === this.runs.length;
  }

  private render(): void {
    const diffs = differences(this.runs);
    this.body.replaceChildren(
      ...this.runs.map((r) => {
        const tr = document.createElement('tr');
        tr.dataset.run = r.path;
        const c = r.config;
        const strategy = c ? `${get(c, 'strategy.name')} ×${get(c, 'strategy.popSize')}${fromStages(c, 'strategy.popSize')}` : '–';
        const budget = c ? `${r.generations}/${r.budget ?? '–'} gen · ${get(c, 'maxSteps')} steps${fromStages(c, 'maxSteps')}` : `${r.generations} gen`;
        const cells = [r.name, get(c, 'policy.type'), get(c, 'policy.rule'), get(c, 'policy.modulation'), get(c, 'seed'), strategy, budget];
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.dataset.run = r.path;
        box.checked = this.selected.has(r.path);
        box.setAttribute('aria-label', `chart ${r.name}`);
        const first = document.createElement('td');
        first.appendChild(box);
        tr.appendChild(first);
        for (const text of cells) {
          const td = document.createElement('td');
          td.textContent = text;
          tr.appendChild(td);
        }
        const st = document.createElement('td');
        st.className = `status status-${r.status}`;
        st.textContent = r.status === 'training' ? `training · ${ago(r.updated)}` : r.status;
        tr.appendChild(st);
        const other = document.createElement('td');
        other.className = r.error ? 'run-error' : 'diff';
        other.textContent = r.error ?? diffs.get(r.path)!.join(' · ');
        other.title = other.textContent;
        tr.appendChild(other);
        tr.title = r.path;
        return tr;
      }),
    );
    this.updateSummary();
  }
}

/**
 * The dependency graph as SVG: one `<g data-task-id data-status>` per task, arrows from a
 * dependency to the task waiting on it, pan (drag) and zoom (wheel), click to select.
 * Status changes only flip attributes (CSS does the colours); the layout is never re-run here.
 */
import type { TaskSummary } from './api';
import { NODE_HEIGHT, NODE_WIDTH, type LayoutResult } from './layout';
import type { TaskStatus } from './status';

const SVG_NS = 'http://www.w3.org/2000/svg';
const MARGIN = 24;
const TITLE_CHARS = 26;
/** Below this zoom text is unreadable anyway: hide it, panning stays smooth with 2,000 nodes. */
const TEXT_MIN_ZOOM = 0.35;

export interface Marks {
  /** Tasks inside a dependency cycle. */
  cycle: Set<string>;
  /** Tasks that can never run (waiting on FAILED, CANCELLED or missing tasks), with the reason. */
  stalled: Map<string, string>;
}

interface View {
  x: number;
  y: number;
  k: number;
}

const escapeXml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export class GraphView {
  readonly svg: SVGSVGElement;
  private readonly viewport: SVGGElement;
  private nodes = new Map<string, SVGGElement>();
  private edgesFrom = new Map<string, SVGPathElement[]>();
  private edgesTo = new Map<string, SVGPathElement[]>();
  private view: View = { x: 0, y: 0, k: 1 };
  private size = { width: 0, height: 0 };
  private selected: string | null = null;
  private marks: Marks = { cycle: new Set(), stalled: new Map() };
  private frame = 0;

  constructor(container: HTMLElement, private readonly onSelect: (id: string | null) => void) {
    this.svg = document.createElementNS(SVG_NS, 'svg');
    this.svg.setAttribute('class', 'graph');
    this.svg.setAttribute('data-testid', 'graph');
    this.svg.setAttribute('role', 'img');
    this.svg.setAttribute('aria-label', 'Task dependency graph');
    this.svg.innerHTML = `
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M0,0 L10,5 L0,10 z" class="arrow-head"/>
        </marker>
      </defs>
      <g class="viewport"></g>`;
    this.viewport = this.svg.querySelector('.viewport')!;
    container.append(this.svg);
    this.bindPointer();
  }

  get nodeCount(): number {
    return this.nodes.size;
  }

  has(id: string): boolean {
    return this.nodes.has(id);
  }

  clear(): void {
    this.viewport.textContent = '';
    this.nodes.clear();
    this.edgesFrom.clear();
    this.edgesTo.clear();
    this.selected = null;
  }

  /** Draws a fresh layout. `keepView`: stay where the user was (relayout after new tasks). */
  render(layout: LayoutResult, tasks: Map<string, TaskSummary>, keepView: boolean): void {
    const parts: string[] = ['<g class="edges">'];
    for (const edge of layout.edges) {
      const p = edge.points;
      let d = `M${(p[0] + MARGIN).toFixed(1)},${(p[1] + MARGIN).toFixed(1)}`;
      for (let i = 2; i < p.length; i += 2) d += `L${(p[i] + MARGIN).toFixed(1)},${(p[i + 1] + MARGIN).toFixed(1)}`;
      const fromStatus = tasks.get(edge.from)?.status ?? '';
      parts.push(
        `<path d="${d}" data-from="${escapeXml(edge.from)}" data-to="${escapeXml(edge.to)}" data-from-status="${fromStatus}" marker-end="url(#arrow)"/>`,
      );
    }
    parts.push('</g><g class="nodes">');
    for (const [id, pos] of layout.positions) {
      const task = tasks.get(id);
      if (!task) continue;
      const title = escapeXml(truncate(task.title, TITLE_CHARS));
      parts.push(
        `<g class="node" data-task-id="${escapeXml(id)}" data-status="${task.status}" tabindex="0" role="button" ` +
          `transform="translate(${(pos.x + MARGIN).toFixed(1)},${(pos.y + MARGIN).toFixed(1)})">` +
          `<title>${escapeXml(`${task.title} (#${id}, ${task.status})`)}</title>` +
          `<rect width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="6"/>` +
          `<text class="title" x="10" y="19">${title}</text>` +
          `<text class="meta" x="10" y="36">#${escapeXml(truncate(id, 12))} · ${task.status} · P${task.priority}</text>` +
          `</g>`,
      );
    }
    parts.push('</g>');
    this.viewport.innerHTML = parts.join('');

    this.nodes.clear();
    for (const el of this.viewport.querySelectorAll<SVGGElement>('g.node')) this.nodes.set(el.dataset.taskId!, el);
    this.edgesFrom.clear();
    this.edgesTo.clear();
    for (const el of this.viewport.querySelectorAll<SVGPathElement>('g.edges path')) {
      push(this.edgesFrom, el.dataset.from!, el);
      push(this.edgesTo, el.dataset.to!, el);
    }
    this.size = { width: layout.width + 2 * MARGIN, height: layout.height + 2 * MARGIN };
    this.setMarks(this.marks);
    const selected = this.selected;
    this.selected = null;
    if (selected && this.nodes.has(selected)) this.select(selected, false);
    if (!keepView) this.fit();
    else this.applyView();
  }

  /** Recolours one node (and the arrows leaving it) without touching the layout. */
  setStatus(id: string, status: TaskStatus, priority?: number): void {
    const el = this.nodes.get(id);
    if (!el) return;
    el.dataset.status = status;
    const meta = el.querySelector('text.meta');
    if (meta) meta.textContent = `#${truncate(id, 12)} · ${status}${priority === undefined ? '' : ` · P${priority}`}`;
    const title = el.querySelector('title');
    if (title) title.textContent = title.textContent!.replace(/, [A-Z]+\)$/, `, ${status})`);
    for (const edge of this.edgesFrom.get(id) ?? []) edge.dataset.fromStatus = status;
  }

  setMarks(marks: Marks): void {
    for (const id of [...this.marks.cycle, ...this.marks.stalled.keys()]) this.mark(id, false, undefined);
    this.marks = marks;
    for (const id of marks.cycle) this.mark(id, true, marks.stalled.get(id));
    for (const [id, reason] of marks.stalled) if (!marks.cycle.has(id)) this.mark(id, false, reason);
  }

  private mark(id: string, inCycle: boolean, stalledReason: string | undefined): void {
    const el = this.nodes.get(id);
    if (!el) return;
    const kinds = [inCycle ? 'cycle' : '', stalledReason !== undefined ? 'stalled' : ''].filter(Boolean);
    el.querySelector('g.badge')?.remove();
    if (!kinds.length) {
      delete el.dataset.mark;
      return;
    }
    el.dataset.mark = kinds.join(' ');
    const badge = document.createElementNS(SVG_NS, 'g');
    badge.setAttribute('class', 'badge');
    badge.setAttribute('transform', `translate(${NODE_WIDTH - 4},4)`);
    const label = inCycle ? '↻ cycle' : '⚠ stalled';
    badge.innerHTML = `<rect x="-58" y="-12" width="58" height="16" rx="8"/><text x="-29" y="0" text-anchor="middle">${label}</text>`;
    el.append(badge);
  }

  select(id: string | null, center: boolean): void {
    if (this.selected) {
      this.nodes.get(this.selected)?.classList.remove('selected');
      for (const e of [...(this.edgesFrom.get(this.selected) ?? []), ...(this.edgesTo.get(this.selected) ?? [])]) e.classList.remove('hl');
    }
    this.selected = id;
    if (!id) return;
    const el = this.nodes.get(id);
    if (!el) return;
    el.classList.add('selected');
    for (const e of [...(this.edgesFrom.get(id) ?? []), ...(this.edgesTo.get(id) ?? [])]) e.classList.add('hl');
    if (center) this.centerOn(el);
  }

  fit(): void {
    const box = this.svg.getBoundingClientRect();
    if (!box.width || !box.height || !this.size.width) return;
    const k = Math.min(box.width / this.size.width, box.height / this.size.height, 1);
    this.view = {
      k,
      x: (box.width - this.size.width * k) / 2,
      y: Math.max(0, (box.height - this.size.height * k) / 2),
    };
    this.applyView();
  }

  /** Fit, but never below `minScale`: a large graph then opens legible at its top left. */
  fitReadable(minScale: number): void {
    this.fit();
    if (this.view.k >= minScale) return;
    // Below the toolbar and the focus banner.
    this.view = { k: minScale, x: 16, y: 64 };
    this.applyView();
  }

  zoomBy(factor: number): void {
    const box = this.svg.getBoundingClientRect();
    this.zoomAt(box.width / 2, box.height / 2, factor);
  }

  private centerOn(el: SVGGElement): void {
    const m = /translate\(([-\d.]+),([-\d.]+)\)/.exec(el.getAttribute('transform') ?? '');
    if (!m) return;
    const box = this.svg.getBoundingClientRect();
    const k = Math.max(this.view.k, 0.8);
    this.view = {
      k,
      x: box.width / 2 - (Number(m[1]) + NODE_WIDTH / 2) * k,
      y: box.height / 2 - (Number(m[2]) + NODE_HEIGHT / 2) * k,
    };
    this.applyView();
  }

  private zoomAt(px: number, py: number, factor: number): void {
    const k = Math.min(4, Math.max(0.02, this.view.k * factor));
    const f = k / this.view.k;
    this.view = { k, x: px - (px - this.view.x) * f, y: py - (py - this.view.y) * f };
    this.applyView();
  }

  private applyView(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const { x, y, k } = this.view;
      this.viewport.setAttribute('transform', `translate(${x.toFixed(2)},${y.toFixed(2)}) scale(${k.toFixed(4)})`);
      this.svg.classList.toggle('far', k < TEXT_MIN_ZOOM);
    });
  }

  private bindPointer(): void {
    let drag: { id: number; x: number; y: number; vx: number; vy: number; moved: boolean; target: Element | null } | null = null;
    this.svg.addEventListener('pointerdown', (ev) => {
      if (ev.button !== 0) return;
      drag = { id: ev.pointerId, x: ev.clientX, y: ev.clientY, vx: this.view.x, vy: this.view.y, moved: false, target: ev.target as Element };
    });
    this.svg.addEventListener('pointermove', (ev) => {
      if (!drag || drag.id !== ev.pointerId) return;
      const dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      if (!drag.moved) {
        drag.moved = true;
        this.svg.setPointerCapture(ev.pointerId);
        this.svg.classList.add('panning');
      }
      this.view = { ...this.view, x: drag.vx + dx, y: drag.vy + dy };
      this.applyView();
    });
    const end = (ev: PointerEvent) => {
      if (!drag || drag.id !== ev.pointerId) return;
      const { moved, target } = drag;
      drag = null;
      this.svg.classList.remove('panning');
      if (moved) return;
      const node = target?.closest<SVGGElement>('g.node');
      this.onSelect(node?.dataset.taskId ?? null);
    };
    this.svg.addEventListener('pointerup', end);
    this.svg.addEventListener('pointercancel', (ev) => {
      if (drag?.id === ev.pointerId) drag = null;
      this.svg.classList.remove('panning');
    });
    this.svg.addEventListener(
      'wheel',
      (ev) => {
        ev.preventDefault();
        const box = this.svg.getBoundingClientRect();
        const delta = ev.deltaMode === 1 ? ev.deltaY * 16 : ev.deltaY;
        this.zoomAt(ev.clientX - box.left, ev.clientY - box.top, Math.exp(-delta * 0.0015));
      },
      { passive: false },
    );
    this.svg.addEventListener('keydown', (ev) => {
      const node = (ev.target as Element).closest?.<SVGGElement>('g.node');
      if (node && (ev.key === 'Enter' || ev.key === ' ')) {
        ev.preventDefault();
        this.onSelect(node.dataset.taskId!);
      }
    });
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

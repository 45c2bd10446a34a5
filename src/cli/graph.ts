import type { Command } from 'commander';
import { CliError, client, EXIT_USAGE } from './context';
import { renderSvg } from './graph-svg';

export function graphCommand(program: Command): void {
  program
    .command('graph')
    .description("print a project's dependency graph as Graphviz DOT, Mermaid, or an SVG laid out with ELK")
    .requiredOption('-p, --project <id>', 'project id')
    .option('-f, --format <format>', 'dot, mermaid or svg', 'dot')
    .option('--root <taskId>', "only this task's dependencies and dependents")
    .action(async (o: { project: string; format: string; root?: string }, cmd: Command) => {
      const api = client(cmd);
      const vars = { p: o.project, r: o.root };
      if (o.format === 'dot' || o.format === 'mermaid') {
        const data = await api.request<{ dependencyGraph: Record<string, string> }>(`query($p: ID!, $r: ID) { dependencyGraph(projectId: $p, rootTaskId: $r) { ${o.format} } }`, vars);
        process.stdout.write(data.dependencyGraph[o.format] + '\n');
        return;
      }
      if (o.format !== 'svg') throw new CliError(`--format must be dot, mermaid or svg, got ${o.format}`, EXIT_USAGE);
      const data = await api.request<{ dependencyGraph: { nodes: { id: string; title: string; status: string }[]; edges: { from: string; to: string }[] } }>(
        `query($p: ID!, $r: ID) { dependencyGraph(projectId: $p, rootTaskId: $r) { nodes { id title status } edges { from to } } }`,
        vars,
      );
      process.stdout.write(await renderSvg(data.dependencyGraph.nodes, data.dependencyGraph.edges));
    });
}

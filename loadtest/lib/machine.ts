import { cpus, loadavg, release, totalmem, type } from 'node:os';

export interface MachineInfo {
  readonly cpus: number;
  readonly model: string;
  readonly memGiB: number;
  readonly node: string;
  readonly os: string;
  /** 1, 5 and 15 minute load averages when the run started: a loaded machine explains odd figures. */
  readonly loadAvg: readonly number[];
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    model: list[0]?.model.trim() ?? 'unknown',
    memGiB: Number((totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    os: `${type()} ${release()}`,
    loadAvg: loadavg().map((x) => Number(x.toFixed(2))),
  };
}

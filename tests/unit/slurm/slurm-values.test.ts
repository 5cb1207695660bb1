// Slurm's small formats: hostlists, GRES strings, durations, output-path patterns; and the scripts' quoting.
import { describe, expect, it } from 'vitest';
import { expandHostlist, expandOutputPath, parseDuration, parseGpuGres } from '../../../bridge/slurm/slurm-values.js';
import { cancelCommand, detailsCommand, jobGpuCommand, listCommand } from '../../../bridge/slurm/slurm.script.js';

describe('slurm values', () => {
  it('expands hostlists', () => {
    expect(expandHostlist('gpu[01-03,7],login')).toEqual(['gpu01', 'gpu02', 'gpu03', 'gpu7', 'login']);
    expect(expandHostlist('node1')).toEqual(['node1']);
  });

  it('reads GPU GRES with and without types and indices', () => {
    expect(parseGpuGres('gpu:2(IDX:2-3)')).toEqual({ count: 2, indices: [2, 3] });
    expect(parseGpuGres('gpu:a100:3(IDX:0,2,5),mps:0')).toEqual({ count: 3, indices: [0, 2, 5] });
    expect(parseGpuGres('gres:gpu:8')).toEqual({ count: 8, indices: [] });
    expect(parseGpuGres('gres/gpu=4')).toEqual({ count: 4, indices: [] });
    expect(parseGpuGres('N/A')).toEqual({ count: 0, indices: [] });
  });

  it('reads durations in every form squeue and scontrol print', () => {
    expect(parseDuration('1-02:03:04')).toBe(93_784);
    expect(parseDuration('02:03:04')).toBe(7384);
    expect(parseDuration('0:17')).toBe(17);
    expect(parseDuration('1:00')).toBe(60);
    expect(parseDuration('30')).toBe(1800);
    expect(parseDuration('2-00:00')).toBe(172_800);
    expect(parseDuration('UNLIMITED')).toBeNull();
  });

  it('fills in output-path patterns and the default path', () => {
    const context = { jobId: 6, arrayJobId: 3, arrayTaskId: '0', name: 'train', user: 'vltest', firstNode: 'node1', workDir: '/home/vltest' };
    expect(expandOutputPath('', context)).toBe('/home/vltest/slurm-3_0.out');
    expect(expandOutputPath('logs/%x-%A_%a-%4j.%N.%u.%%', context)).toBe('/home/vltest/logs/train-3_0-0006.node1.vltest.%');
    expect(expandOutputPath('', { ...context, arrayJobId: null, arrayTaskId: null })).toBe('/home/vltest/slurm-6.out');
    expect(expandOutputPath('rel.out', { ...context, workDir: null })).toBeNull();
  });
});

describe('slurm scripts', () => {
  it('refuse anything but a Slurm job id, so no input reaches the shell', () => {
    for (const hostile of ["1'; rm -rf ~; '", '1 2', '$(id)', '1_2_3', '']) {
      expect(() => detailsCommand(hostile)).toThrow(/not a Slurm job id/);
      expect(() => cancelCommand(hostile)).toThrow(/not a Slurm job id/);
    }
    expect(() => jobGpuCommand('1', 'node1;id', 5)).toThrow(/not a node name/);
  });

  it('are one single-quoted sh -c with only the separator byte as a control character', () => {
    for (const command of [listCommand(), detailsCommand('12_3'), cancelCommand('7+1')]) {
      expect(command).toMatch(/^\/bin\/sh -c '[^']*'$/);
    }
    expect(jobGpuCommand('12', 'node1', 5)).toMatch(/^srun --jobid=12 --overlap .* \/bin\/sh -c '[^']*'$/);
  });
});

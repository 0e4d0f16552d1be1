/**
 * `twingraph simulate` as the command line sees it: its name, options and help, with the implementation
 * (./simulate-cli.ts, which loads mqtt.js and the demo's generator) required only when it runs.
 */
import type { Command } from 'commander';

type SimulateCli = typeof import('./simulate-cli');
const cli = (): SimulateCli => require('./simulate-cli') as SimulateCli;

export function simulateCommands(program: Command, exit: (code: number) => void): void {
  program
    .command('simulate')
    .description("publish the demo devices' telemetry over MQTT and answer their commands, until interrupted")
    .option('--url <url>', 'the MQTT broker (default: TWINGRAPH_MQTT_URL)')
    .option('--rate <messages>', 'messages per second, all devices together', '50')
    .option('--devices <n>', 'simulate only the first n devices of the demo firm')
    .option('--seconds <n>', 'stop after n seconds (default: run until interrupted)')
    .option('--catalogue <file>', "the demo firm's catalogue (default: seeds/firm.json)")
    .option('--telemetry-topic <pattern>', "default: the demo Device model's telemetryTopic (dtdl/Device.json)")
    .option('--command-topic <pattern>', "default: the demo Device model's commandTopic (dtdl/Device.json)")
    .action(async (opts: SimulateOptions) => exit(await cli().simulateCommand(opts)));
}

export interface SimulateOptions {
  url?: string;
  rate: string;
  devices?: string;
  seconds?: string;
  catalogue?: string;
  telemetryTopic?: string;
  commandTopic?: string;
}

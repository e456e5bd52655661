import { runSegmentationCli } from '@unet/cli';
import { demoCommand } from './demo';
import { dsb2018Recipe } from './recipe';

process.exitCode = await runSegmentationCli(dsb2018Recipe, process.argv.slice(2), {
  extraCommands: [demoCommand],
});

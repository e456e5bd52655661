import { runSegmentationCli } from '@unet/cli';
import { demoCommand } from './demo.js';
import { dsb2018Recipe } from './recipe.js';

process.exitCode = await runSegmentationCli(dsb2018Recipe, process.argv.slice(2), {
  extraCommands: [demoCommand],
});

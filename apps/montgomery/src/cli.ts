import { runSegmentationCli } from '@unet/cli';
import { montgomeryRecipe } from './recipe';

process.exitCode = await runSegmentationCli(montgomeryRecipe, process.argv.slice(2));

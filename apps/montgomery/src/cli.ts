import { runSegmentationCli } from '@unet/cli';
import { montgomeryRecipe } from './recipe.js';

process.exitCode = await runSegmentationCli(montgomeryRecipe, process.argv.slice(2));

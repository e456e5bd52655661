import { runSegmentationCli } from '@unet/cli';
import { camvidRecipe } from './recipe.js';

process.exitCode = await runSegmentationCli(camvidRecipe, process.argv.slice(2));

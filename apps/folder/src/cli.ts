import { runSegmentationCli } from '@unet/cli';
import { folderRecipe } from './recipe.js';

process.exitCode = await runSegmentationCli(folderRecipe, process.argv.slice(2));

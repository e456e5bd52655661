import { runSegmentationCli } from '@unet/cli';
import { satelliteRecipe } from './recipe.js';

process.exitCode = await runSegmentationCli(satelliteRecipe, process.argv.slice(2));

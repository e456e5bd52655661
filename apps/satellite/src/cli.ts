import { runSegmentationCli } from '@unet/train';
import { satelliteRecipe } from './recipe';

process.exitCode = await runSegmentationCli(satelliteRecipe, process.argv.slice(2));

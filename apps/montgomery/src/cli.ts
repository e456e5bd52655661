import { runSegmentationCli } from '@unet/train';
import { montgomeryRecipe } from './recipe';

process.exitCode = await runSegmentationCli(montgomeryRecipe, process.argv.slice(2));

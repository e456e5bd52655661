import { runSegmentationCli } from '@unet/train';
import { folderRecipe } from './recipe';

process.exitCode = await runSegmentationCli(folderRecipe, process.argv.slice(2));

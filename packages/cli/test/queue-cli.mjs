// A minimal app over the built @unet/cli for the queue tests: its workers and producers run as
// child processes (as on separate machines). Only `predict` and `worker` are used.
import { runQueueTestApp } from './queue-test-recipe.mjs';

await runQueueTestApp('unet-queue-test', 'Queue test app: predict and worker on RGB images.', 32);

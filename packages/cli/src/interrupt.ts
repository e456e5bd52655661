import type * as tf from '@tensorflow/tfjs';

/**
 * Ctrl-C during training: the first asks the model to stop after the current epoch (whose
 * checkpoint is then written as usual), the second quits at once. Checkpoints are written
 * atomically, so even then the last complete one stays loadable. Returns the remover.
 */
export function stopOnInterrupt(model: tf.LayersModel, log: (line: string) => void): () => void {
  let requested = false;
  const onSignal = () => {
    if (requested) {
      log('interrupted again: quitting now; the last complete checkpoint is kept');
      process.exit(130);
    }
    requested = true;
    model.stopTraining = true;
    log('interrupted: stopping after this epoch (Ctrl-C again to quit now)');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

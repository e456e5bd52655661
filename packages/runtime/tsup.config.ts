export { packageConfig as default } from '../../tsup.config.base';

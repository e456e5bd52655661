export { appConfig as default } from '../../tsup.config.base';

export const log = (message) => console.log(`[unet-setup-tensorflow] ${message}`);
export const warn = (message) => console.warn(`[unet-setup-tensorflow] warning: ${message}`);

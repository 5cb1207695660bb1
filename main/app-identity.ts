// Names the OS knows the app by. APP_ID must equal electron-builder.yml's appId (a test checks): Windows
// ties notifications to it (setAppUserModelId), macOS the bundle and its login item.
export const APP_ID = 'org.vigilink.desktop';
export const PRODUCT_NAME = 'Vigilink';

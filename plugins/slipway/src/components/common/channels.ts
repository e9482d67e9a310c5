// The promotion engine's signal channels, defined once in slipway-common.
export {
  FREEZES_SIGNAL_CHANNEL,
  promotionSignalChannel,
} from '@slipway/plugin-slipway-common';

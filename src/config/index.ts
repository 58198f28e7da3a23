export { CHANNEL_KEYS, FACILITIES, Settings, type ChannelKey, type Facility } from './schema.js';
export { ConfigError, flagLayer, overrideLayer, resolveSettings, type Layer, type Resolved } from './resolve.js';
export { OverrideSyntaxError, parseOverride, type Path } from './overrides.js';
export { parseSyslogAddress, type SyslogAddress } from './syslog-address.js';

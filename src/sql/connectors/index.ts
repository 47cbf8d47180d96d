/** The built-in connectors (each registers itself) and the connector framework. */
import '../formats/index.ts';
import './blackhole/index.ts';
import './datagen/index.ts';
import './jdbc/index.ts';
import './print/index.ts';
import './kafka/index.ts';
import './nexmark/factory.ts';
import './values/index.ts';

export * from './connector.ts';

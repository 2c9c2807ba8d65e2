import { HubPubSub } from '../../../src/events/hub-pubsub.js';
import { InProcessBus, InProcessTransport } from '../../../src/events/in-process.transport.js';
import { silentLogger } from '../../helpers/pubsub-helpers.js';
import { pubSubContract } from './pubsub-contract.js';

pubSubContract('in-process transport', async () => {
  const logger = silentLogger();
  const bus = new InProcessBus();
  return {
    open: () => new HubPubSub(new InProcessTransport(logger, bus), logger),
    ready: (pubsub) => pubsub.ping(),
    listenerCount: (pubsub) => (pubsub.transport as InProcessTransport).listenerCount,
    dispose: async () => {},
  };
});

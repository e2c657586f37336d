import EpeoplePropertiesProvider from './EpeoplePropertiesProvider';

export default {
  __init__: ['epeoplePropertiesProvider'],
  epeoplePropertiesProvider: ['type', EpeoplePropertiesProvider],
};

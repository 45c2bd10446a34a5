import { DateTimeResolver, JSONResolver } from 'graphql-scalars';

export { DateTimeResolver, JSONResolver };
/** Date properties map to the DateTime scalar everywhere. */
export const scalarsMap = [{ type: Date, scalar: DateTimeResolver }];

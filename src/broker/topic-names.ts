// Topic identity helpers shared by the topic handlers.

/** The all-zero topic id: "no id" on the wire. */
export const ZERO_UUID = '00000000-0000-0000-0000-000000000000'

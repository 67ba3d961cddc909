// Row ids: a short type prefix and a ULID, so ids sort by creation time (cursor pagination)
// and say what they point at (`ct_…` is a contact) wherever they show up.

import { monotonicFactory } from "ulid";

const nextUlid = monotonicFactory();

export type IdPrefix =
  | "ws"
  | "usr"
  | "acc"
  | "ct"
  | "deal"
  | "dsc"
  | "seq"
  | "sqv"
  | "enr"
  | "msg"
  | "cap"
  | "evt"
  | "task"
  | "sup"
  | "mbx"
  | "key"
  | "whk"
  | "whd"
  | "aud"
  | "inb"
  | "num"
  | "blk"
  | "smi";

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${nextUlid().toLowerCase()}`;
}

export enum Level { Low = 1, High = 5 }

export interface Order {
  id: string;
  level: Level;
}

export const label = (order: Order): string => `order ${order.id}`;

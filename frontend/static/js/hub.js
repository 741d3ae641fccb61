// The tab's one socket, shared by every module of the page (ES modules load once per URL).
import { HubSocket } from "./socket.js";

export const hub = new HubSocket();

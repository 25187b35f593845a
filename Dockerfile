# One image for both halves: `npm run api` and `npm run worker`.
FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY tsconfig.json ./
COPY src ./src
COPY templates ./templates
COPY migrations ./migrations
COPY seeds ./seeds
USER node
EXPOSE 3000
CMD ["npm", "run", "api"]
